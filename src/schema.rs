//! Table schemas from CQL files.
