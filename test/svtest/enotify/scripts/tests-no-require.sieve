if valid_notify_method "mailto:stephan@example.org" {
	keep;
}
