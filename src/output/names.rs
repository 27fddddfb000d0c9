//! Column names as the two Cassandra renderers print them (CQL_JSON.md §1,
//! §9.2).
//!
//! - sstabledump uses CQL identifier quoting (`ColumnIdentifier.toCQLString`):
//!   unquoted if the name matches `[a-z][a-z0-9_]*` and is not a reserved
//!   word, else wrapped in `"` with inner `"` doubled.
//! - `SELECT JSON` keys are the raw name, wrapped in literal quotes only when
//!   it differs from its lower-case form.

/// The 4.0/5.0 reserved words (`cql3/ReservedKeywords`), upper case, sorted.
const RESERVED: &[&str] = &[
    "ADD",
    "ALLOW",
    "ALTER",
    "AND",
    "APPLY",
    "ASC",
    "AUTHORIZE",
    "BATCH",
    "BEGIN",
    "BY",
    "COLUMNFAMILY",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DROP",
    "ENTRIES",
    "EXECUTE",
    "FROM",
    "FULL",
    "GRANT",
    "IF",
    "IN",
    "INDEX",
    "INFINITY",
    "INSERT",
    "INTO",
    "IS",
    "KEYSPACE",
    "LIMIT",
    "MATERIALIZED",
    "MODIFY",
    "NAN",
    "NORECURSIVE",
    "NOT",
    "NULL",
    "OF",
    "ON",
    "OR",
    "ORDER",
    "PRIMARY",
    "RENAME",
    "REVOKE",
    "SCHEMA",
    "SELECT",
    "SET",
    "TABLE",
    "TO",
    "TOKEN",
    "TRUNCATE",
    "UNLOGGED",
    "UPDATE",
    "USE",
    "USING",
    "VIEW",
    "WHERE",
    "WITH",
];

/// Whether `name` is a CQL reserved word (case-insensitive).
pub fn is_reserved(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    RESERVED.binary_search(&upper.as_str()).is_ok()
}

/// `ColumnIdentifier.toCQLString`.
pub fn cql_identifier(name: &str) -> String {
    let plain = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !is_reserved(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The key `SELECT JSON` uses for a column or UDT field.
pub fn json_key(name: &str) -> String {
    if name.to_lowercase() != name { format!("\"{name}\"") } else { name.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn identifier_quoting() {
        assert_eq!(cql_identifier("val"), "val");
        assert_eq!(cql_identifier("v_1"), "v_1");
        assert_eq!(cql_identifier("Foo"), "\"Foo\"");
        assert_eq!(cql_identifier("select"), "\"select\"");
        assert_eq!(cql_identifier("a\"b"), "\"a\"\"b\"");
        assert_eq!(cql_identifier(""), "\"\"");
        assert_eq!(cql_identifier("1a"), "\"1a\"");
    }

    #[test]
    fn json_keys() {
        assert_eq!(json_key("MyCol"), "\"MyCol\"");
        assert_eq!(json_key("my col"), "my col");
        assert_eq!(json_key("select"), "select");
    }
}
