#!/bin/bash
# Queues the shard array, then the merge once every array task has succeeded.
# Usage: RUNS=1000000 SEED=1 deploy/slurm/submit.sh   (run from the directory holding models/)
set -euo pipefail
here=$(dirname "$0")
mkdir -p logs shards
array=$(sbatch --parsable --export=ALL "$here/study.sbatch")
sbatch --dependency=afterok:"${array%%;*}" "$here/merge.sbatch"
