//! The `casscade` command: a thin front end over the library.

mod cli;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = cli::main_with(std::env::args_os().skip(1).collect());
    std::process::exit(code);
}
