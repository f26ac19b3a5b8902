"""PGDiffSeg reference implementation: model, data, training, export and bundle writing."""
