//! Parser for the CQL statements a schema file holds: `CREATE TYPE` and
//! `CREATE TABLE` (with `PRIMARY KEY`, `STATIC`, `CLUSTERING ORDER BY`,
//! `COMPACT STORAGE` and `gc_grace_seconds`). Every other statement
//! (keyspaces, indexes, functions, views…) is skipped, so a Medusa
//! `schema.cql` or a `DESCRIBE` dump can be given as is.

use std::collections::HashMap;

use super::lexer::{Tok, Token, tokenize};
use super::{SchemaColumn, TableSchema};
use crate::error::{Error, ErrorKind, Result};
use crate::types::marshal::parse_column_type;
use crate::types::{ColumnType, CqlType, UdtDef};

/// A type as written, before user types are resolved.
#[derive(Debug, Clone)]
enum TypeExpr {
    Native(CqlType),
    Frozen(Box<TypeExpr>),
    List(Box<TypeExpr>),
    Set(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Tuple(Vec<TypeExpr>),
    Vector(Box<TypeExpr>, u32),
    Udt(Option<String>, String),
    Custom(ColumnType),
}

struct RawTable {
    line: usize,
    keyspace: Option<String>,
    name: String,
    columns: Vec<(String, TypeExpr, bool)>,
    partition_key: Vec<String>,
    clustering: Vec<String>,
    descending: Vec<String>,
    gc_grace_seconds: Option<u32>,
    compact_storage: bool,
}

struct RawType {
    keyspace: Option<String>,
    name: String,
    fields: Vec<(String, TypeExpr)>,
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

fn err(line: usize, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Schema, format!("line {line}: {}", msg.into()))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.kind)
    }

    fn line(&self) -> usize {
        self.toks.get(self.pos).or(self.toks.last()).map_or(1, |t| t.line)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident { name, quoted: false }) if name == kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{}'", kw.to_uppercase())))
        }
    }

    fn eat_punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, c: char) -> Result<()> {
        if self.eat_punct(c) { Ok(()) } else { Err(self.unexpected(&format!("'{c}'"))) }
    }

    fn unexpected(&self, expected: &str) -> Error {
        match self.peek() {
            Some(t) => err(self.line(), format!("expected {expected}, found {t}")),
            None => err(self.line(), format!("expected {expected}, found the end of the file")),
        }
    }

    fn ident(&mut self) -> Result<String> {
        match self.peek() {
            Some(Tok::Ident { name, .. }) => {
                let n = name.clone();
                self.pos += 1;
                Ok(n)
            }
            _ => Err(self.unexpected("a name")),
        }
    }

    /// `name` or `keyspace.name`.
    fn qualified(&mut self) -> Result<(Option<String>, String)> {
        let first = self.ident()?;
        if self.eat_punct('.') { Ok((Some(first), self.ident()?)) } else { Ok((None, first)) }
    }

    /// Skips to just after the next `;` outside brackets.
    fn skip_statement(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.peek().cloned() {
            self.pos += 1;
            match t {
                Tok::Punct('(' | '{' | '[') => depth += 1,
                Tok::Punct(')' | '}' | ']') => depth -= 1,
                Tok::Punct(';') if depth <= 0 => return,
                _ => {}
            }
        }
    }

    fn if_not_exists(&mut self) -> Result<()> {
        if self.eat_kw("if") {
            self.expect_kw("not")?;
            self.expect_kw("exists")?;
        }
        Ok(())
    }

    fn type_expr(&mut self) -> Result<TypeExpr> {
        let line = self.line();
        if let Some(Tok::Str(class)) = self.peek() {
            let class = class.clone();
            self.pos += 1;
            let ct = parse_column_type(&class)
                .map_err(|e| err(line, format!("custom type '{class}': {e}")))?;
            return Ok(TypeExpr::Custom(ct));
        }
        let (ks, name) = self.qualified()?;
        if ks.is_none() {
            let native = match name.as_str() {
                "ascii" => Some(CqlType::Ascii),
                "bigint" => Some(CqlType::BigInt),
                "blob" => Some(CqlType::Blob),
                "boolean" => Some(CqlType::Boolean),
                "counter" => Some(CqlType::Counter),
                "date" => Some(CqlType::Date),
                "decimal" => Some(CqlType::Decimal),
                "double" => Some(CqlType::Double),
                "duration" => Some(CqlType::Duration),
                "float" => Some(CqlType::Float),
                "inet" => Some(CqlType::Inet),
                "int" => Some(CqlType::Int),
                "smallint" => Some(CqlType::SmallInt),
                "text" | "varchar" => Some(CqlType::Text),
                "time" => Some(CqlType::Time),
                "timestamp" => Some(CqlType::Timestamp),
                "timeuuid" => Some(CqlType::TimeUuid),
                "tinyint" => Some(CqlType::TinyInt),
                "uuid" => Some(CqlType::Uuid),
                "varint" => Some(CqlType::VarInt),
                _ => None,
            };
            if let Some(t) = native {
                return Ok(TypeExpr::Native(t));
            }
            let generic = |p: &mut Parser, n: usize| -> Result<Vec<TypeExpr>> {
                p.expect_punct('<')?;
                let mut args = vec![p.type_expr()?];
                while p.eat_punct(',') {
                    args.push(p.type_expr()?);
                }
                p.expect_punct('>')?;
                if n > 0 && args.len() != n {
                    return Err(err(
                        line,
                        format!("{name} takes {n} type arguments, found {}", args.len()),
                    ));
                }
                Ok(args)
            };
            match name.as_str() {
                "frozen" => return Ok(TypeExpr::Frozen(Box::new(generic(self, 1)?.remove(0)))),
                "list" => return Ok(TypeExpr::List(Box::new(generic(self, 1)?.remove(0)))),
                "set" => return Ok(TypeExpr::Set(Box::new(generic(self, 1)?.remove(0)))),
                "map" => {
                    let mut a = generic(self, 2)?;
                    let v = a.remove(1);
                    return Ok(TypeExpr::Map(Box::new(a.remove(0)), Box::new(v)));
                }
                "tuple" => return Ok(TypeExpr::Tuple(generic(self, 0)?)),
                "vector" => {
                    self.expect_punct('<')?;
                    let elem = self.type_expr()?;
                    self.expect_punct(',')?;
                    let dim = match self.peek() {
                        Some(Tok::Number(n)) => n.parse::<u32>().ok(),
                        _ => None,
                    }
                    .ok_or_else(|| self.unexpected("a vector dimension"))?;
                    self.pos += 1;
                    self.expect_punct('>')?;
                    return Ok(TypeExpr::Vector(Box::new(elem), dim));
                }
                _ => {}
            }
        }
        Ok(TypeExpr::Udt(ks, name))
    }

    fn create_type(&mut self) -> Result<RawType> {
        self.if_not_exists()?;
        let (keyspace, name) = self.qualified()?;
        self.expect_punct('(')?;
        let mut fields = Vec::new();
        loop {
            let f = self.ident()?;
            let t = self.type_expr()?;
            fields.push((f, t));
            if self.eat_punct(')') {
                break;
            }
            self.expect_punct(',')?;
        }
        self.skip_statement();
        Ok(RawType { keyspace, name, fields })
    }

    fn create_table(&mut self) -> Result<RawTable> {
        let line = self.line();
        self.if_not_exists()?;
        let (keyspace, name) = self.qualified()?;
        self.expect_punct('(')?;
        let mut t = RawTable {
            line,
            keyspace,
            name,
            columns: Vec::new(),
            partition_key: Vec::new(),
            clustering: Vec::new(),
            descending: Vec::new(),
            gc_grace_seconds: None,
            compact_storage: false,
        };
        loop {
            if self.is_kw("primary") {
                self.pos += 1;
                self.expect_kw("key")?;
                self.expect_punct('(')?;
                if self.eat_punct('(') {
                    loop {
                        t.partition_key.push(self.ident()?);
                        if self.eat_punct(')') {
                            break;
                        }
                        self.expect_punct(',')?;
                    }
                } else {
                    t.partition_key.push(self.ident()?);
                }
                while self.eat_punct(',') {
                    t.clustering.push(self.ident()?);
                }
                self.expect_punct(')')?;
            } else {
                let col = self.ident()?;
                let ty = self.type_expr()?;
                let is_static = self.eat_kw("static");
                if self.eat_kw("primary") {
                    self.expect_kw("key")?;
                    t.partition_key = vec![col.clone()];
                }
                t.columns.push((col, ty, is_static));
            }
            if self.eat_punct(')') {
                break;
            }
            self.expect_punct(',')?;
        }
        if self.eat_kw("with") {
            loop {
                if self.eat_kw("clustering") {
                    self.expect_kw("order")?;
                    self.expect_kw("by")?;
                    self.expect_punct('(')?;
                    loop {
                        let c = self.ident()?;
                        if self.eat_kw("desc") {
                            t.descending.push(c);
                        } else {
                            self.eat_kw("asc");
                        }
                        if self.eat_punct(')') {
                            break;
                        }
                        self.expect_punct(',')?;
                    }
                } else if self.eat_kw("compact") {
                    self.expect_kw("storage")?;
                    t.compact_storage = true;
                } else {
                    let option = self.ident()?;
                    self.expect_punct('=')?;
                    let at = self.line();
                    let value = self.option_value()?;
                    if option == "gc_grace_seconds" {
                        t.gc_grace_seconds = Some(value.parse().map_err(|_| {
                            err(at, format!("gc_grace_seconds = {value} is not a number"))
                        })?);
                    }
                }
                if !self.eat_kw("and") {
                    break;
                }
            }
        }
        if !self.eat_punct(';') && self.peek().is_some() {
            return Err(self.unexpected("';' after CREATE TABLE"));
        }
        Ok(t)
    }

    /// An option value: string, number, identifier, or a `{…}` map (text).
    fn option_value(&mut self) -> Result<String> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) | Some(Tok::Number(s)) => {
                self.pos += 1;
                Ok(s)
            }
            Some(Tok::Ident { name, .. }) => {
                self.pos += 1;
                Ok(name)
            }
            Some(Tok::Punct('{')) => {
                let mut depth = 0;
                while let Some(t) = self.peek().cloned() {
                    self.pos += 1;
                    match t {
                        Tok::Punct('{') => depth += 1,
                        Tok::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok("{…}".into());
                            }
                        }
                        _ => {}
                    }
                }
                Err(self.unexpected("'}'"))
            }
            _ => Err(self.unexpected("an option value")),
        }
    }
}

/// Parses every `CREATE TYPE` and `CREATE TABLE` in `text`.
pub(super) fn parse(text: &str) -> Result<Vec<TableSchema>> {
    let toks = tokenize(text).map_err(|e| err(e.line, e.message))?;
    let mut p = Parser { toks, pos: 0 };
    let mut tables = Vec::new();
    let mut types = Vec::new();
    while p.peek().is_some() {
        if p.eat_kw("create") {
            if p.eat_kw("table") || p.eat_kw("columnfamily") {
                tables.push(p.create_table()?);
                continue;
            }
            if p.eat_kw("type") {
                types.push(p.create_type()?);
                continue;
            }
        }
        p.skip_statement();
    }
    let types: HashMap<(Option<String>, String), &RawType> =
        types.iter().map(|t| ((t.keyspace.clone(), t.name.clone()), t)).collect();
    tables.iter().map(|t| resolve_table(t, &types)).collect()
}

type Types<'a> = HashMap<(Option<String>, String), &'a RawType>;

fn resolve_table(t: &RawTable, types: &Types<'_>) -> Result<TableSchema> {
    let ks = t.keyspace.as_deref();
    let find = |name: &str| t.columns.iter().find(|c| c.0 == name);
    let mut columns = Vec::new();
    for (name, expr, is_static) in &t.columns {
        let ty = resolve_column(expr, ks, types, 0)
            .map_err(|e| e.context(format!("table {} column {name}", t.name)))?;
        columns.push((name.clone(), ty, *is_static));
    }
    let column = |name: &str, what: &str| -> Result<SchemaColumn> {
        let (n, _, _) = find(name).ok_or_else(|| {
            err(t.line, format!("table {}: {what} column {name} is not defined", t.name))
        })?;
        let ty = columns
            .iter()
            .find(|c| &c.0 == n)
            .map(|c| c.1.clone())
            .unwrap_or(ColumnType::frozen(CqlType::Blob));
        Ok(SchemaColumn { name: n.clone(), ty, descending: t.descending.contains(n) })
    };
    if t.partition_key.is_empty() {
        return Err(err(t.line, format!("table {} has no PRIMARY KEY", t.name)));
    }
    let partition_key =
        t.partition_key.iter().map(|n| column(n, "partition key")).collect::<Result<Vec<_>>>()?;
    let clustering =
        t.clustering.iter().map(|n| column(n, "clustering")).collect::<Result<Vec<_>>>()?;
    let is_key = |n: &String| t.partition_key.contains(n) || t.clustering.contains(n);
    let mut statics = Vec::new();
    let mut regulars = Vec::new();
    for (name, ty, is_static) in columns {
        if is_key(&name) {
            continue;
        }
        let c = SchemaColumn { name, ty, descending: false };
        if is_static { statics.push(c) } else { regulars.push(c) }
    }
    Ok(TableSchema {
        keyspace: t.keyspace.clone(),
        name: t.name.clone(),
        partition_key,
        clustering,
        statics,
        regulars,
        gc_grace_seconds: t.gc_grace_seconds,
        compact_storage: t.compact_storage,
    })
}

fn resolve_column(
    expr: &TypeExpr,
    ks: Option<&str>,
    types: &Types<'_>,
    depth: usize,
) -> Result<ColumnType> {
    Ok(match expr {
        TypeExpr::Frozen(inner) => ColumnType::frozen(resolve(inner, ks, types, depth)?),
        TypeExpr::Custom(ct) => ct.clone(),
        other => {
            let ty = resolve(other, ks, types, depth)?;
            let multi_cell = ty.can_be_multi_cell();
            ColumnType { ty, multi_cell }
        }
    })
}

fn resolve(expr: &TypeExpr, ks: Option<&str>, types: &Types<'_>, depth: usize) -> Result<CqlType> {
    if depth > 64 {
        return Err(Error::new(
            ErrorKind::Schema,
            "types nest more than 64 deep (a recursive type?)",
        ));
    }
    let r = |e: &TypeExpr| resolve(e, ks, types, depth + 1);
    Ok(match expr {
        TypeExpr::Native(t) => t.clone(),
        TypeExpr::Frozen(inner) => r(inner)?,
        TypeExpr::List(e) => CqlType::List(Box::new(r(e)?)),
        TypeExpr::Set(e) => CqlType::Set(Box::new(r(e)?)),
        TypeExpr::Map(k, v) => CqlType::Map(Box::new(r(k)?), Box::new(r(v)?)),
        TypeExpr::Tuple(ts) => CqlType::Tuple(ts.iter().map(r).collect::<Result<_>>()?),
        TypeExpr::Vector(e, n) => CqlType::Vector(Box::new(r(e)?), *n),
        TypeExpr::Custom(ct) => ct.ty.clone(),
        TypeExpr::Udt(uks, name) => {
            let key_ks = uks.clone().or_else(|| ks.map(str::to_string));
            let def = types
                .get(&(key_ks.clone(), name.clone()))
                .or_else(|| types.get(&(None, name.clone())))
                .or_else(|| types.iter().find(|((_, n), _)| n == name).map(|(_, t)| t))
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Schema,
                        format!("unknown type '{name}' (no CREATE TYPE for it)"),
                    )
                })?;
            let fields = def
                .fields
                .iter()
                .map(|(f, e)| Ok((f.clone(), r(e)?)))
                .collect::<Result<Vec<_>>>()?;
            CqlType::Udt(Box::new(UdtDef {
                keyspace: def.keyspace.clone().or(key_ks).unwrap_or_default(),
                name: def.name.clone(),
                fields,
            }))
        }
    })
}
