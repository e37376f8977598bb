"""The top floor: one small file per command (aa-train, aa-eval, aa-predict, aa-sample, aa-detect), each
taking ``key=value`` arguments; nothing below imports from here."""
