//! Tokens of CQL text: identifiers (unquoted are case-insensitive and
//! folded to lower case; `"quoted"` keep their case, `""` escapes a quote),
//! string literals (`'…'`, `''` escapes a quote; `$$…$$`), numbers and
//! punctuation. Comments (`--`, `//`, `/* */`) are skipped.

use std::fmt;

/// A token with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: Tok,
    /// 1-based line number.
    pub line: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier or keyword; `quoted` when it was written in `"…"`.
    Ident {
        /// The name (lower-cased unless quoted).
        name: String,
        /// Whether it was quoted.
        quoted: bool,
    },
    /// A string literal's contents.
    Str(String),
    /// A number as written.
    Number(String),
    /// One punctuation character.
    Punct(char),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident { name, quoted: true } => write!(f, "\"{name}\""),
            Tok::Ident { name, .. } => f.write_str(name),
            Tok::Str(s) => write!(f, "'{s}'"),
            Tok::Number(n) => f.write_str(n),
            Tok::Punct(c) => write!(f, "'{c}'"),
        }
    }
}

/// A lexing error.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// 1-based line.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// Splits CQL text into tokens.
pub fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let err = |line, message: &str| LexError { line, message: message.to_string() };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if (c == '-' && next == Some('-')) || (c == '/' && next == Some('/')) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let start = line;
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated /* comment")),
                    Some('*') if chars.get(i + 1) == Some(&'/') => {
                        i += 2;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        i += 1;
                    }
                    Some(_) => i += 1,
                }
            }
        } else if c == '\'' || c == '"' {
            let start = line;
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated quoted text")),
                    Some(&q) if q == c => {
                        if chars.get(i + 1) == Some(&c) {
                            s.push(c);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&ch) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            let kind = if c == '\'' { Tok::Str(s) } else { Tok::Ident { name: s, quoted: true } };
            out.push(Token { kind, line: start });
        } else if c == '$' && next == Some('$') {
            let start = line;
            let mut s = String::new();
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated $$ string")),
                    Some('$') if chars.get(i + 1) == Some(&'$') => {
                        i += 2;
                        break;
                    }
                    Some(&ch) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Token { kind: Tok::Str(s), line: start });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect::<String>().to_lowercase();
            out.push(Token { kind: Tok::Ident { name, quoted: false }, line });
        } else if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '-' | '+'))
            {
                i += 1;
            }
            out.push(Token { kind: Tok::Number(chars[start..i].iter().collect()), line });
        } else {
            out.push(Token { kind: Tok::Punct(c), line });
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn identifiers_fold_unless_quoted() {
        assert_eq!(
            kinds(
                r#"CREATE "MyTab" -- comment
            /* block */ x"#
            ),
            vec![
                Tok::Ident { name: "create".into(), quoted: false },
                Tok::Ident { name: "MyTab".into(), quoted: true },
                Tok::Ident { name: "x".into(), quoted: false },
            ]
        );
    }

    #[test]
    fn strings_numbers_and_escapes() {
        assert_eq!(
            kinds("'it''s' \"a\"\"b\" 0.1 -5 {"),
            vec![
                Tok::Str("it's".into()),
                Tok::Ident { name: "a\"b".into(), quoted: true },
                Tok::Number("0.1".into()),
                Tok::Number("-5".into()),
                Tok::Punct('{'),
            ]
        );
        assert!(tokenize("'open").is_err());
        assert!(tokenize("/* open").is_err());
    }
}
