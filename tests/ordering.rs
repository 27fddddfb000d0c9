//! The value comparators agree with the order real writers used: in every
//! readable corpus generation, the rows of each partition come in strictly
//! increasing clustering order by `compare_clustering`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail on error")]

mod common;

use std::cmp::Ordering;

use casscade::sstable::SSTable;
use casscade::sstable::content::{Item, read_partitions};
use casscade::types::compare::compare_clustering;

#[test]
fn rows_of_every_corpus_partition_are_in_comparator_order() {
    let corpus = corpus_or_skip!();
    let files = common::data_files(&corpus.join("real"));
    let (mut checked, mut pairs) = (0, 0u64);
    let mut failures = Vec::new();
    for f in &files {
        let Ok(t) = SSTable::open(f) else { continue };
        let Ok(parts) = read_partitions(&mut t.reader().unwrap()) else { continue };
        checked += 1;
        let types = &t.header().clustering;
        for p in &parts {
            let rows: Vec<Vec<Option<&[u8]>>> = p
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Row(r) => Some(r.clustering.iter().map(|v| v.as_deref()).collect()),
                    Item::Marker(_) => None,
                })
                .collect();
            for w in rows.windows(2) {
                pairs += 1;
                // Cassandra's scrub test file holds duplicate rows on purpose.
                let duplicates_expected = f.to_string_lossy().contains("cf_with_duplicates_3_0");
                let c = compare_clustering(types, &w[0], &w[1]);
                if c == Ordering::Greater || (c == Ordering::Equal && !duplicates_expected) {
                    failures.push(format!("{}: {:02x?} then {:02x?}", f.display(), w[0], w[1]));
                }
            }
        }
    }
    assert!(checked >= 180, "only {checked} readable generations");
    assert!(pairs > 10_000, "only {pairs} row pairs compared");
    assert!(
        failures.is_empty(),
        "{} out-of-order pairs:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
