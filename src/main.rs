//! The `casscade` command.
fn main() {}
