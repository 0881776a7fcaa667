export default function ConversationScreen() {
  return <h1>Conversation</h1>;
}
