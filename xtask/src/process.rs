//! Running the programs xtask drives, with a PATH that finds the tools it installed.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Error, Result};

/// A command to run: program, arguments, working folder and PATH.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    path: OsString,
}

impl Cmd {
    /// `program`, found on the tool PATH (see [`tool_path`]).
    pub(crate) fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            dir: None,
            path: tool_path(),
        }
    }

    /// The cargo that runs xtask (from `$CARGO`), in the folder `root`.
    pub(crate) fn cargo(root: &Path) -> Self {
        Cmd::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).dir(root)
    }

    /// Adds one argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Runs in `dir` instead of the current folder.
    pub(crate) fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Puts `dir` first on the child's PATH.
    pub(crate) fn path_first(mut self, dir: &Path) -> Self {
        let mut dirs = vec![dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&self.path));
        // Only fails on a folder name holding the PATH separator; keep the PATH as it was then.
        if let Ok(path) = std::env::join_paths(dirs) {
            self.path = path;
        }
        self
    }

    /// The command as a person would type it (the program's name without its folder).
    pub(crate) fn display(&self) -> String {
        let program = Path::new(&self.program)
            .file_name()
            .unwrap_or(&self.program)
            .to_string_lossy()
            .into_owned();
        let mut text = program;
        for arg in &self.args {
            text.push(' ');
            text.push_str(&arg.to_string_lossy());
        }
        if let Some(dir) = &self.dir {
            text = format!("(cd {} && {text})", dir.display());
        }
        text
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).env("PATH", &self.path);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }

    /// Runs the command with the terminal's stdin, stdout and stderr; fails unless it exits 0.
    pub(crate) fn run(&self) -> Result<()> {
        let status = self.command().status().map_err(|e| self.start_error(&e))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::new(format!(
                "`{}` failed ({status})",
                self.display()
            )))
        }
    }

    /// Runs the command and returns its stdout; fails unless it exits 0.
    pub(crate) fn output(&self) -> Result<Vec<u8>> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| self.start_error(&e))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(Error::new(format!(
                "`{}` failed ({})",
                self.display(),
                output.status
            )))
        }
    }

    /// The command's stdout and stderr as text if it runs and exits 0, else None: for `--version` checks.
    pub(crate) fn probe(&self) -> Option<String> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|output| output.status.success())?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        Some(text)
    }

    fn start_error(&self, error: &std::io::Error) -> Error {
        let program = self.program.to_string_lossy();
        if error.kind() == std::io::ErrorKind::NotFound {
            Error::new(format!(
                "could not find `{program}` on PATH ({})",
                self.path.to_string_lossy()
            ))
        } else {
            Error::new(format!("could not start `{program}`: {error}"))
        }
    }
}

/// This process's PATH, with cargo's bin folder first if it is not on it already,
/// so that tools `cargo install` just put there are found.
pub(crate) fn tool_path() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let Some(cargo_bin) = cargo_bin_dir() else {
        return current;
    };
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&current).collect();
    if dirs.contains(&cargo_bin) {
        return current;
    }
    dirs.insert(0, cargo_bin);
    std::env::join_paths(dirs).unwrap_or(current)
}

/// `$CARGO_HOME/bin`, or `$HOME/.cargo/bin`.
fn cargo_bin_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .map(|cargo_home| cargo_home.join("bin"))
}
