require ["enotify", "fileinto"];
if valid_notify_method "mailto:carol@example.org" { fileinto "one"; }
if valid_notify_method ["mailto:carol@example.org", "mailto:"] { fileinto "empty"; }
if valid_notify_method ["mailto:carol@example.org", "xmpp:carol@example.org"] { fileinto "xmpp"; }
if valid_notify_method "mailto:carol@@example.org" { fileinto "bad"; }
