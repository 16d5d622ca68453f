//! The query side of ranking: what `websearch_to_tsquery` made of the user's query, as the
//! terms to score and the query to send to the `terms` index.

/// A parsed `tsquery` (the text form `websearch_to_tsquery` returns).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Lexeme(String),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    /// Operands and the distance before each operand after the first (`<->` is 1).
    Phrase(Vec<Node>, Vec<u16>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Lexeme(String),
    And,
    Or,
    Not,
    Follow(u16),
    Open,
    Close,
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '&' => out.push(Token::And),
            '|' => out.push(Token::Or),
            '!' => out.push(Token::Not),
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            '<' => {
                let mut d = String::new();
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                    d.push(c);
                }
                out.push(Token::Follow(if d == "-" { 1 } else { d.parse().ok()? }));
            }
            '\'' => {
                let mut lexeme = String::new();
                loop {
                    match chars.next()? {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            lexeme.push('\'');
                        }
                        '\'' => break,
                        '\\' => lexeme.push(chars.next()?),
                        c => lexeme.push(c),
                    }
                }
                out.push(Token::Lexeme(lexeme));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Recursive descent over `!` > `<->` > `&` > `|` (PostgreSQL's precedence).
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Option<Node> {
        self.list(&Token::Or, Self::and, Node::Or)
    }

    fn and(&mut self) -> Option<Node> {
        self.list(&Token::And, Self::phrase, Node::And)
    }

    /// `item (op item)*`, one item as itself.
    fn list(
        &mut self,
        op: &Token,
        item: fn(&mut Self) -> Option<Node>,
        wrap: fn(Vec<Node>) -> Node,
    ) -> Option<Node> {
        let mut items = vec![item(self)?];
        while self.peek() == Some(op) {
            self.at += 1;
            items.push(item(self)?);
        }
        Some(if items.len() == 1 {
            items.pop()?
        } else {
            wrap(items)
        })
    }

    fn phrase(&mut self) -> Option<Node> {
        let mut items = vec![self.unary()?];
        let mut gaps = Vec::new();
        while let Some(Token::Follow(d)) = self.peek() {
            gaps.push(*d);
            self.at += 1;
            items.push(self.unary()?);
        }
        Some(if items.len() == 1 {
            items.pop()?
        } else {
            Node::Phrase(items, gaps)
        })
    }

    fn unary(&mut self) -> Option<Node> {
        let t = self.peek()?.clone();
        self.at += 1;
        match t {
            Token::Not => Some(Node::Not(Box::new(self.unary()?))),
            Token::Open => {
                let n = self.or()?;
                (self.peek() == Some(&Token::Close)).then(|| self.at += 1)?;
                Some(n)
            }
            Token::Lexeme(l) => Some(Node::Lexeme(l)),
            _ => None,
        }
    }
}

/// What ranking needs to know about a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// The scored terms, in query order without repeats: lexemes, and `"a b"` shingles
    /// for the adjacent words of a quoted phrase.
    pub terms: Vec<String>,
    /// Terms the query excludes (`-word`), for the estimate of the total.
    pub excluded: Vec<String>,
    /// Every match contains every term (no `or` outside an exclusion): the condition
    /// for reading matches by class.
    pub conjunctive: bool,
    /// The query for the `terms` column with each two-word phrase as its shingle (which a
    /// passage holds exactly when the phrase matches): GIN answers it without rechecking
    /// positions in every candidate, as it must for `<->`.
    pub index_query: String,
}

/// Analyses the text of a `tsquery`; `None` when it is not in the form
/// `websearch_to_tsquery` produces (then the search scores nothing and keeps its order).
pub fn analyse(tsquery: &str) -> Option<Analysis> {
    let tokens = tokens(tsquery)?;
    let mut a = Analysis {
        conjunctive: true,
        ..Analysis::default()
    };
    if tokens.is_empty() {
        return Some(a);
    }
    let mut p = Parser { tokens, at: 0 };
    let root = p.or()?;
    if p.at != p.tokens.len() {
        return None;
    }
    collect(&root, false, &mut a);
    a.index_query = index_query(&root);
    Some(a)
}

fn index_query(node: &Node) -> String {
    let join = |items: &[Node], op: &str| {
        let parts: Vec<String> = items.iter().map(index_query).collect();
        format!("( {} )", parts.join(op))
    };
    match node {
        Node::Lexeme(l) => literal(l),
        Node::Not(inner) => format!("!{}", index_query(inner)),
        Node::And(items) => join(items, " & "),
        Node::Or(items) => join(items, " | "),
        Node::Phrase(items, gaps) => match (items.as_slice(), gaps.as_slice()) {
            ([Node::Lexeme(a), Node::Lexeme(b)], [1]) => literal(&format!("{a} {b}")),
            _ => {
                let mut out = format!("( {}", index_query(&items[0]));
                for (item, gap) in items[1..].iter().zip(gaps) {
                    out.push_str(&format!(" <{gap}> {}", index_query(item)));
                }
                out.push_str(" )");
                out
            }
        },
    }
}

fn collect(node: &Node, negated: bool, a: &mut Analysis) {
    let add = |list: &mut Vec<String>, t: String| {
        if !list.contains(&t) {
            list.push(t);
        }
    };
    match node {
        Node::Lexeme(l) if negated => add(&mut a.excluded, l.clone()),
        Node::Lexeme(l) => add(&mut a.terms, l.clone()),
        Node::Not(inner) => {
            if !negated {
                // Only a plain `-word` feeds the estimate; what an exclusion holds is never
                // scored, whatever it is.
                if let Node::Lexeme(l) = inner.as_ref() {
                    add(&mut a.excluded, l.clone());
                }
                return;
            }
            collect(inner, false, a)
        }
        Node::And(items) => items.iter().for_each(|n| collect(n, negated, a)),
        Node::Or(items) => {
            if !negated {
                a.conjunctive = false;
            }
            items.iter().for_each(|n| collect(n, negated, a));
        }
        Node::Phrase(items, gaps) => {
            let words: Option<Vec<&String>> = items
                .iter()
                .map(|n| match n {
                    Node::Lexeme(l) => Some(l),
                    _ => None,
                })
                .collect();
            match words {
                Some(words) if !negated && gaps.iter().all(|&d| d == 1) => {
                    for pair in words.windows(2) {
                        add(&mut a.terms, format!("{} {}", pair[0], pair[1]));
                    }
                }
                _ => items.iter().for_each(|n| collect(n, negated, a)),
            }
        }
    }
}

/// A lexeme (or shingle, or tier token) as a `tsquery` literal.
pub fn literal(lexeme: &str) -> String {
    format!("'{}'", lexeme.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> (Vec<String>, bool) {
        let a = analyse(q).unwrap();
        (a.terms, a.conjunctive)
    }

    #[test]
    fn websearch_queries_become_terms() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(terms("'whale'"), (s(&["whale"]), true));
        assert_eq!(
            terms("'whale' & 'ship' & 'whale'"),
            (s(&["whale", "ship"]), true)
        );
        assert_eq!(terms("'white' <-> 'whale'"), (s(&["white whale"]), true));
        assert_eq!(terms("'a' <-> 'b' <-> 'c'"), (s(&["a b", "b c"]), true));
        assert_eq!(terms("'big' <2> 'whale'"), (s(&["big", "whale"]), true));
        assert_eq!(terms("'whale' & !'ship'"), (s(&["whale"]), true));
        assert_eq!(
            terms("'whale' & !( 'white' <-> 'ship' )"),
            (s(&["whale"]), true)
        );
        assert_eq!(terms("'whale' | 'ship'"), (s(&["whale", "ship"]), false));
        assert_eq!(terms("'whale' & !( 'a' | 'b' )"), (s(&["whale"]), true));
        assert_eq!(
            terms("'o''neil' & 'back\\\\slash'"),
            (s(&["o'neil", "back\\slash"]), true)
        );
        assert_eq!(terms(""), (s(&[]), true));
        assert_eq!(analyse("'whale' &").map(|a| a.terms), None);
        assert_eq!(analyse("whale").map(|a| a.terms), None);
        assert_eq!(analyse("!'whale'").unwrap().excluded, s(&["whale"]));
        let iq = |q: &str| analyse(q).unwrap().index_query;
        assert_eq!(
            iq("'white' <-> 'whale' & !( 'a' <-> 'b' )"),
            "( 'white whale' & !'a b' )"
        );
        assert_eq!(
            iq("'a' <-> 'b' <-> 'c' | 'd' <2> 'e'"),
            "( ( 'a' <1> 'b' <1> 'c' ) | ( 'd' <2> 'e' ) )"
        );
    }

    #[test]
    fn literals_round_trip_through_the_tokenizer() {
        for l in ["plain", "o'neil", "back\\slash", "white whale|2"] {
            assert_eq!(tokens(&literal(l)), Some(vec![Token::Lexeme(l.to_owned())]));
        }
    }
}
