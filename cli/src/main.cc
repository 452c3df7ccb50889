#include <cstdio>
int main() { std::puts("archivist"); return 0; }
