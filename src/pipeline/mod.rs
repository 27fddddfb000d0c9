//! The jobs, wired from the library's parts.
