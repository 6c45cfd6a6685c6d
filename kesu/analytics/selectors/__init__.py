"""Read side of kesu: roll-ups, target progress, comparisons, consistency, chart data. Every function takes a
Scope and checks it."""
