// A page that draws its own button and uses only @tightloop/client.
import { createClient } from '@tightloop/client'
import { config } from './config.ts'

const client = createClient({ endpoint: config.endpoint, key: config.key })
Object.assign(window, { tightloopClient: client })
document.getElementById('down')!.addEventListener('click', () => {
  void client.thumbsDown({
    requestId: 'req_plain_1',
    prompt: 'Where is my card?',
    response: 'Ask the bank.',
  })
})
