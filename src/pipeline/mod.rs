//! The jobs, wired from the library's parts: discovery of SSTables, schema
//! fitting, and the `dump` document and driver.

pub mod discover;
pub mod dump;
pub mod dump_doc;
pub mod export;
pub mod schema_check;
