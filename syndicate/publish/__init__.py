"""Publishing: feed entries and renderers (pure), the atomic writer and WebSub (the edges)."""
