package io.msgc.conf;

/**
 * What a scope holds: an option or a child scope (so both can be walked in file order).
 */
sealed interface ConfigMember permits ConfigNode, ConfigNode.Option
{
}
