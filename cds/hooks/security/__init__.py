"""Who may call: JWT verification, JWK Sets, the replay cache, and the local-trial key tool."""
