if header :is "subject" ["a", 1] { keep; }
