//! Rebuilds when a file in `wording/` changes: the folder is built into the binary with
//! `include_dir!`, which cannot tell cargo what it read.

fn main() {
    println!("cargo::rerun-if-changed=wording");
}
