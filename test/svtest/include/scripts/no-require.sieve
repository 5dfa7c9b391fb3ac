include "where";
