"""`flagwright log`: a flag's audit trail and an app's deploy history, from Git history."""
