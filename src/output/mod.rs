//! Output: CQL JSON rendering of values and the dump document shape.
