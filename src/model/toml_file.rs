//! Reading a TOML model file into a [`super::Model`].
