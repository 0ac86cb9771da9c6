/**
 * The in-memory head: recently active series with their open chunks, found by series id (the
 * appender's fast path) or label set. Series idle for an hour leave it and are reloaded from
 * disk when they reappear.
 */
package io.promlite.tsdb.head;
