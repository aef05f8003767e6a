"""Read-only reports over the ledger (Qt-free): each computes its figures in SQL and can export them."""
