fn main() -> std::process::ExitCode {
    rcompose::run(std::env::args_os())
}
