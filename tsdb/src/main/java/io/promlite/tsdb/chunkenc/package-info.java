/** Chunk encodings: the Gorilla-style XOR chunk, its iterator, and rewriting for deletions. */
package io.promlite.tsdb.chunkenc;
