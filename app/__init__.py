"""GridDesk core: the domain, storage, services and rules. Qt-free and network-free."""
