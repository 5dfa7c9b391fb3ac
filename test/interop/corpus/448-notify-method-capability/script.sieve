require ["enotify", "fileinto"];
if notify_method_capability "mailto:carol@example.org" "Online" "maybe" { fileinto "maybe"; }
if notify_method_capability "mailto:carol@example.org" "online" "yes" { fileinto "yes"; }
if notify_method_capability "mailto:carol@example.org" "busy" "maybe" { fileinto "busy"; }
if notify_method_capability "xmpp:carol@example.org" "online" "maybe" { fileinto "xmpp"; }
