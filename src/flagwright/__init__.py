"""flagwright: Git as the control plane for feature flags, rollouts and environments."""
