require ["foreverypart", "extracttext"]; foreverypart { extracttext "t"; }
