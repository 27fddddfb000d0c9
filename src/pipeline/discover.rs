//! Finding SSTables: INPUT paths are component files or directories,
//! searched recursively for `*-Data.db` (DESIGN.md "Commands").
//!
//! The result is sorted and deduplicated so that every run over the same
//! inputs sees the same SSTables in the same order. Symbolic links to files
//! are followed; symbolic links to directories are not (no cycles).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::sstable::Descriptor;

/// Returns the Data.db path of every SSTable under `inputs`.
pub fn find_sstables(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = BTreeSet::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).map_err(|e| Error::io("reading input", e).with_path(input))?;
        if meta.is_dir() {
            walk(input, &mut found)?;
        } else {
            let d = Descriptor::from_path(input)?;
            let data = d.data_path();
            if !data.exists() {
                return Err(Error::new(ErrorKind::Usage, "the SSTable's Data.db is missing")
                    .with_path(&data));
            }
            found.insert(data);
        }
    }
    Ok(found.into_iter().collect())
}

fn walk(dir: &Path, found: &mut BTreeSet<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io("listing directory", e).with_path(dir))?;
    let mut entries: Vec<_> = entries
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io("listing directory", e).with_path(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let ft = entry
            .file_type()
            .map_err(|e| Error::io("reading directory entry", e).with_path(&path))?;
        if ft.is_dir() {
            walk(&path, found)?;
        } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("-Data.db"))
            && Descriptor::from_path(&path).is_ok()
        {
            found.insert(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_directories_and_accepts_any_component() {
        let dir = std::env::temp_dir().join(format!("casscade-discover-{}", std::process::id()));
        let sub = dir.join("ks").join("t-0123456789abcdef0123456789abcdef");
        std::fs::create_dir_all(&sub).unwrap();
        for f in [
            "nb-2-big-Data.db",
            "nb-1-big-Data.db",
            "nb-1-big-TOC.txt",
            "notes-Data.db.txt",
            "manifest.json",
        ] {
            std::fs::write(sub.join(f), b"").unwrap();
        }
        let all = find_sstables(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<_> = all.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["nb-1-big-Data.db", "nb-2-big-Data.db"]);
        let one =
            find_sstables(&[sub.join("nb-1-big-TOC.txt"), sub.join("nb-1-big-Data.db")]).unwrap();
        assert_eq!(one, vec![sub.join("nb-1-big-Data.db")]);
        assert!(find_sstables(&[dir.join("missing")]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
