//! Compiling a model into a flat, allocation-free program.
