"""HTTP: the FastAPI routes, discovery document, request models, middleware and the composition root."""
