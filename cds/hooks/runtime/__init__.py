"""Running the service: ``prrt-cds serve`` (uvicorn), connection limits, evaluation slots, memory."""
