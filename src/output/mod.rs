//! Output: values rendered as Cassandra's CQL JSON, and the documents built
//! from them. Depends only on `types` (and the byte cursor).

pub mod cql_json;
pub mod dataset_row;
pub mod javafloat;
pub mod json;
pub mod names;
pub mod numbers;
pub mod shortest;
pub mod temporal;
pub mod value_kind;
