package io.promlite.promql.parser;

/** One lexed token: its type, its raw text and its offset in the query. */
record Token(TokenType type, String text, int pos) {
}
