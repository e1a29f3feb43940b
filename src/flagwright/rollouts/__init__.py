"""Progressive delivery shared by check, render, diff and progress: what a gate means, PromQL
syntax, and an app's Argo Rollouts deploy resolved from the model."""
