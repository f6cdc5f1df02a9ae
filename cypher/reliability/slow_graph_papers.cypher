// params: count
// returns: nothing; creates $count SYNTHETIC Paper nodes (paperId 'synthetic-slow-<i>')
// Test data for the transaction-timeout test: enough papers that a filter
// without an index (title CONTAINS) scans for longer than a tiny timeout.
// Generated server-side in batches (an auto-commit transaction runs it).
UNWIND range(1, $count) AS i
CALL (i) {
  CREATE (:Paper {
    paperId: 'synthetic-slow-' + toString(i),
    title: 'Synthetic slow paper number ' + toString(i) + ' about nothing in particular',
    year: 2000 + i % 25,
    citationCount: i % 997,
    synthetic: true
  })
} IN TRANSACTIONS OF 20000 ROWS
