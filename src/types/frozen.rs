//! The frozen (single-value) serialization of a multi-cell column's cells,
//! which is how `SELECT` returns a non-frozen collection or UDT: `i32 n`
//! then each element (`i32 len` + bytes; a map entry is key then value); a
//! UDT is its fields in order, `-1` for a missing one.

use super::CqlType;

fn push_item(out: &mut Vec<u8>, v: &[u8]) {
    out.extend_from_slice(&(v.len() as i32).to_be_bytes());
    out.extend_from_slice(v);
}

/// Appends the frozen form of a multi-cell column's live cells, given as
/// `(path, value)` in cell-path order. Returns `false` (and appends
/// nothing) when there are none: an empty non-frozen collection, or a UDT
/// with no live field, is null.
pub fn write_frozen<'a>(
    ty: &CqlType,
    cells: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>,
    out: &mut Vec<u8>,
) -> bool {
    if cells.len() == 0 {
        return false;
    }
    match ty {
        CqlType::Udt(u) => {
            let mut cells = cells.peekable();
            for i in 0..u.fields.len() {
                let path = (i as u16).to_be_bytes();
                // Skip paths below this field (malformed), take an exact match.
                while cells.peek().is_some_and(|(p, _)| *p < path.as_slice()) {
                    cells.next();
                }
                match cells.next_if(|(p, _)| *p == path.as_slice()) {
                    Some((_, v)) => push_item(out, v),
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                }
            }
        }
        _ => {
            out.extend_from_slice(&(cells.len() as i32).to_be_bytes());
            for (path, value) in cells {
                match ty {
                    CqlType::Set(_) => push_item(out, path),
                    CqlType::Map(..) => {
                        push_item(out, path);
                        push_item(out, value);
                    }
                    _ => push_item(out, value),
                }
            }
        }
    }
    true
}

/// [`write_frozen`] into a new buffer; `None` when there are no cells.
pub fn frozen_from_cells(ty: &CqlType, cells: &[(&[u8], &[u8])]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write_frozen(ty, cells.iter().copied(), &mut out).then_some(out)
}
