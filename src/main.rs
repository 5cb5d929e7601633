//! The `fbvault` binary: everything lives in the library; see `fbvault::cli`.

fn main() -> std::process::ExitCode {
    fbvault::cli::main()
}
