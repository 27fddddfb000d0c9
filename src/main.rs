//! The `casscade` command: a thin front end over the library.

mod cli;

#[cfg(feature = "mimalloc")]
mod alloc;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: alloc::MiMalloc = alloc::MiMalloc;

fn main() {
    let code = cli::main_with(std::env::args_os().skip(1).collect());
    std::process::exit(code);
}
