/**
 * The inverted index (label name and value to series ids, one set per day partition), the
 * matcher evaluation over it, and the sorted id-set operations it needs.
 */
package io.promlite.tsdb.index;
