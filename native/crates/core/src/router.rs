//! Bus routing: message type to handler route table.
