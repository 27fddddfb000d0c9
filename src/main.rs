//! The `casscade` command: a thin front end over the library.

mod cli;

fn main() {
    let code = cli::main_with(std::env::args_os().skip(1).collect());
    std::process::exit(code);
}
