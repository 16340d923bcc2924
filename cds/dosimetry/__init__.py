"""Post-therapy kidney dosimetry: cumulative absorbed dose and BED against the limits in force, and the
largest next activity within them."""
