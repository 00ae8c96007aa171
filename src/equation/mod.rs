//! Equation language: lexer, parser and syntax tree.
