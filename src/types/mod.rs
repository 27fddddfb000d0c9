//! The format-independent model: CQL types, tokens and table schemas.
//! No I/O happens here.

pub mod bignum;
pub mod compare;
pub mod cql_type;
pub mod cursor;
pub mod frozen;
pub mod marshal;
pub mod token;

pub use cql_type::{ColumnType, CqlType, UdtDef};
pub use token::{Partitioner, Token};
