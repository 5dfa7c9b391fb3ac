require ["foreverypart", "fileinto"];
foreverypart :name "a" {
  break :name "b";
}
