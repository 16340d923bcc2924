"""The cards: typed CDS Hooks cards, the toxicity and dose cards, their evidence, and order suggestions."""
